# was config.yaml in the Snakemake days
GENOME  ?= GRCh38_chr20-22
THREADS ?= 8
CALL_CONF ?= 30
