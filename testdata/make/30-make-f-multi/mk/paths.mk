# Directory layout.  Everything is relative to the project root.
DATA_DIR      := data
RAW_DIR       := $(DATA_DIR)/raw
INTERIM_DIR   := $(DATA_DIR)/interim
PROCESSED_DIR := $(DATA_DIR)/processed
CKPT_DIR      := checkpoints
REPORT_DIR    := reports

DATASET ?= flowers102
ARCHS   := resnet50 vit_b16 convnext_t
ARCH    ?= $(firstword $(ARCHS))

# configs/<arch>.yaml must exist for every arch
$(foreach a,$(ARCHS),$(if $(wildcard configs/$(a).yaml),,$(warning configs/$(a).yaml is missing)))
