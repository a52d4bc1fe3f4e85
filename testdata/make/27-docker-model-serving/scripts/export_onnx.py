"""Export a torch checkpoint to ONNX."""
