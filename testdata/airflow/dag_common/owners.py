OWNER = "forecasting"
