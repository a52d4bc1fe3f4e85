# GLUE tasks that are too slow for the default sweep
SLOW_TASKS := mnli qqp
ifdef WITH_SLOW_TASKS
TASKS += $(SLOW_TASKS)
endif
