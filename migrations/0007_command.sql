-- 0007_command: kernel command, which runs a program once per trial as a
-- child process. The CHECK constraints of 0001_init cannot change, so a
-- command's cells are stored like ranges: schedule 'static', range_count
-- 1, and range_start = range_idx = the index of the cell's input (0
-- without inputs). Runs, cells and trials of in-process kernels hold NULL
-- in every column added here.

-- The command as written in the experiment file, placeholders ({workers},
-- {input}) unsubstituted: argv as a JSON array of strings, run without a
-- shell.
ALTER TABLE runs ADD COLUMN command_argv TEXT;
-- Extra environment as a JSON object of strings, in file order ({} for
-- none); exp also sets EXP_WORKERS.
ALTER TABLE runs ADD COLUMN command_env TEXT;
-- The directory the command ran in, as written (. when the file set none),
-- relative to the experiment file's directory.
ALTER TABLE runs ADD COLUMN command_workdir TEXT;
-- What was checked of each trial: stdout (exit 0 and the input's first
-- trial's stdout), exit (exit 0 only) or none (nothing: ok = 1 says only
-- that the trial ended in time).
ALTER TABLE runs ADD COLUMN command_check TEXT CHECK (command_check IN ('stdout', 'exit', 'none'));

-- The cell's input, as written in the file's inputs (substituted for
-- {input}); NULL without inputs.
ALTER TABLE cells ADD COLUMN input TEXT;
-- Its size and SHA-256 as exp read it before the run, so that a
-- reproduction can tell that the data changed.
ALTER TABLE cells ADD COLUMN input_size_bytes INTEGER CHECK (input_size_bytes >= 0);
ALTER TABLE cells ADD COLUMN input_sha256 TEXT;

-- The command's exit status (128+N when signal N killed it, as when a
-- timeout killed its process group); NULL for in-process kernels.
ALTER TABLE trials ADD COLUMN exit_status INTEGER CHECK (exit_status BETWEEN 0 AND 255);
-- Peak resident set size of the command, KiB (wait4's ru_maxrss).
ALTER TABLE trials ADD COLUMN max_rss_kb INTEGER CHECK (max_rss_kb >= 0);
-- The last lines of stderr (at most 20 lines, 4 KiB) of a trial whose
-- command failed (non-zero exit or timeout); NULL otherwise.
ALTER TABLE trials ADD COLUMN stderr_tail TEXT;
