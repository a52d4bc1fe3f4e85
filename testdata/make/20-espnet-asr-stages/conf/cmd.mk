# Job submission, as in cmd.sh.  Switch to slurm.pl on the cluster.
cmd_backend ?= local
ifeq ($(cmd_backend),local)
train_cmd  := run.pl
cuda_cmd   := run.pl
decode_cmd := run.pl
else ifeq ($(cmd_backend),slurm)
train_cmd  := slurm.pl --config conf/slurm.conf
cuda_cmd   := slurm.pl --config conf/slurm.conf --gpu 1
decode_cmd := slurm.pl --config conf/slurm.conf
endif
python ?= python3
