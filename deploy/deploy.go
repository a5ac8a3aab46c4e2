// Package deploy holds the files that run exp on a cluster: the Slurm
// array script's template (slurm/) and a Kubernetes Indexed Job manifest
// (k8s/). It embeds the template, so that the exp binary can write the
// script without the source tree.
package deploy

import _ "embed"

// SlurmArrayTemplate is slurm/exp-array.sbatch.tmpl, a text/template that
// slurm.Render fills in.
//
//go:embed slurm/exp-array.sbatch.tmpl
var SlurmArrayTemplate string
