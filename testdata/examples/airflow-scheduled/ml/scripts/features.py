import sys
print("features", sys.argv)
