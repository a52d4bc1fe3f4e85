TARGETS += two
two: ; echo two
all-parts: $(TARGETS)
