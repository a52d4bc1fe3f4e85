# BERT family: the original paper's grid
LRS     := 2e-5 3e-5 5e-5
MAX_LEN := 128
BATCH   ?= 32
