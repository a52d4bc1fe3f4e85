# ggplot2 figures
