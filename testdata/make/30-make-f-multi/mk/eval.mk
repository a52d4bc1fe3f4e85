# Evaluation of one checkpoint:  make -f mk/eval.mk ARCH=resnet50
include mk/paths.mk
include mk/data.mk

$(REPORT_DIR)/$(ARCH)/metrics.json: $(CKPT_DIR)/$(ARCH)/best.ckpt $(SPLITS) src/evaluate.py
	@mkdir -p $(@D)
	python src/evaluate.py --ckpt $< --split $(filter %test.txt,$^) --out $@
