# Training; run from the project root:  make -f mk/train.mk ARCH=vit_b16
include mk/paths.mk
include mk/data.mk

EPOCHS ?= 90
LR     ?= 0.1
ifeq ($(ARCH),vit_b16)
  LR := 0.001
  EPOCHS := 300
else ifeq ($(ARCH),convnext_t)
  LR := 0.004
endif

$(CKPT_DIR)/$(ARCH)/best.ckpt: configs/$(ARCH).yaml $(PROCESSED)
	@mkdir -p $(@D)
	torchrun --nproc_per_node=8 src/train.py --config $< --lr $(LR) --epochs $(EPOCHS) \
	    --data $(PROCESSED_DIR) --out $(@D)

.PHONY: clean
clean:
	rm -rf $(CKPT_DIR)/$(ARCH)/last.ckpt
