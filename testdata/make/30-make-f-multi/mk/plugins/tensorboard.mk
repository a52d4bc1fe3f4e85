# `make tensorboard` serves the logs of every run
.PHONY: tensorboard
tensorboard: | $(CKPT_DIR)
	tensorboard --logdir $(CKPT_DIR) --port 6006
$(CKPT_DIR):
	mkdir -p $@
