-- 0003_reproduces: the run a run reproduces. It is named by UUID, not id,
-- so that the link survives copying runs from one database file to another
-- (ids are per file, UUIDs are not). The run it names need not be in the
-- same file. Runs written before this migration reproduce none (NULL).

ALTER TABLE runs ADD COLUMN reproduces TEXT
    CHECK (reproduces IS NULL OR (                       -- NULL: reproduces no run
        length(reproduces) = 36
        AND reproduces GLOB '????????-????-????-????-????????????'
        AND reproduces NOT GLOB '*[^0-9a-fA-F-]*'));     -- a UUID: 8-4-4-4-12 hex digits

-- Which runs reproduce this one (DB.Reproductions).
CREATE INDEX runs_reproduces ON runs (reproduces);
