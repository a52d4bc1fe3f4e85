"""Clean one wave of SPSS exports."""
