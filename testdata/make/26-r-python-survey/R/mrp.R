# multilevel regression and poststratification
