# summary tables
