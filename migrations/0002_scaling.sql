-- 0002_scaling: how a run's work grew with the workers, and whether its
-- kernel keeps a CPU busy. Runs written before this migration were strong
-- scaling of the CPU-bound primes kernel, which the defaults record.

ALTER TABLE runs ADD COLUMN scaling TEXT NOT NULL DEFAULT 'strong'
    CHECK (scaling IN ('strong', 'weak'));      -- weak: each cell tests range_count = count x workers

ALTER TABLE runs ADD COLUMN cpu_bound INTEGER NOT NULL DEFAULT 1
    CHECK (cpu_bound IN (0, 1));                -- 0: the kernel waits (synthetic sleep), so workers past the CPU count still help
