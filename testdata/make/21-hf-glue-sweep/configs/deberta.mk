# DeBERTa-v3 wants smaller learning rates and longer inputs
LRS     := 1e-5 2e-5
MAX_LEN := 256
