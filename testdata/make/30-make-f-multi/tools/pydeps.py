"""Write .deps/*.d from the import graph of src/."""
