import sys
print("train", sys.argv)
