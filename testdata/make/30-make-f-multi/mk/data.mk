# Download and preprocess $(DATASET).  Included by the top Makefile and by
# mk/train.mk, so it guards against being read twice.
ifndef DATA_MK_INCLUDED
DATA_MK_INCLUDED := 1

SHARDS     := 00 01 02 03
RAW_TARS   := $(SHARDS:%=$(RAW_DIR)/$(DATASET)-%.tar)
PROCESSED  := $(patsubst $(RAW_DIR)/%.tar,$(PROCESSED_DIR)/%.tfrecord,$(RAW_TARS))
SPLITS     := $(addprefix $(PROCESSED_DIR)/$(DATASET)-,train.txt val.txt test.txt)

.PHONY: data clean-data
data: $(PROCESSED) $(SPLITS)

$(RAW_DIR)/$(DATASET)-%.tar:
	curl -fsSL -o $@ https://datasets.example.org/$(DATASET)/shard-$*.tar

# decode + resize, then serialise: two steps, the middle one is intermediate
$(INTERIM_DIR)/%.npy: $(RAW_DIR)/%.tar src/decode.py
	@mkdir -p $(@D)
	python src/decode.py --size 224 $< $@
$(PROCESSED_DIR)/%.tfrecord: $(INTERIM_DIR)/%.npy src/serialize.py
	@mkdir -p $(@D)
	python src/serialize.py $< $@

$(SPLITS) &: $(RAW_TARS) src/make_splits.py
	@mkdir -p $(PROCESSED_DIR)
	python src/make_splits.py --seed 0 --out $(PROCESSED_DIR) $(RAW_TARS)

clean-data:
	rm -rf $(INTERIM_DIR) $(PROCESSED_DIR)
endif
