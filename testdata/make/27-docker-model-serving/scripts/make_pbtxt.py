"""Write a Triton config.pbtxt from config.json."""
