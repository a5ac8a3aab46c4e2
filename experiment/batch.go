package experiment

import (
	"os"
	"strconv"
)

// BatchJob is the batch system's record of the job that executed a run:
// which Slurm job and array task, and on which node.
type BatchJob struct {
	JobID       string // $SLURM_JOB_ID; "" outside Slurm
	ArrayJobID  string // $SLURM_ARRAY_JOB_ID, shared by the tasks of an array; "" outside an array
	ArrayTaskID int    // $SLURM_ARRAY_TASK_ID, from 0; -1 outside an array
	Node        string // $SLURMD_NODENAME under Slurm, else the hostname
}

// BatchJobFromEnv reads the Slurm job of this process from getenv
// (os.Getenv in exp); hostname is the node's name outside Slurm.
func BatchJobFromEnv(getenv func(string) string, hostname string) BatchJob {
	b := BatchJob{JobID: getenv("SLURM_JOB_ID"), ArrayJobID: getenv("SLURM_ARRAY_JOB_ID"), ArrayTaskID: -1, Node: getenv("SLURMD_NODENAME")}
	if t, err := strconv.Atoi(getenv("SLURM_ARRAY_TASK_ID")); err == nil && t >= 0 {
		b.ArrayTaskID = t
	}
	if b.Node == "" {
		b.Node = hostname
	}
	return b
}

// ThisBatchJob is BatchJobFromEnv of this process's environment.
func ThisBatchJob(hostname string) BatchJob { return BatchJobFromEnv(os.Getenv, hostname) }
