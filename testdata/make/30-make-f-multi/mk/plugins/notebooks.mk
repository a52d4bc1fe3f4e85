# rendered notebooks for the report appendix
NOTEBOOKS := $(wildcard notebooks/*.ipynb)
report: $(NOTEBOOKS:notebooks/%.ipynb=$(REPORT_DIR)/nb/%.html)
$(REPORT_DIR)/nb/%.html: notebooks/%.ipynb
	jupyter nbconvert --to html --output-dir $(@D) $<
