import sys
from pathlib import Path


def main(input_filepath, output_filepath):
    out = Path(output_filepath)
    out.mkdir(parents=True, exist_ok=True)
    for src in sorted(Path(input_filepath).glob("*.csv")):
        (out / src.name).write_text(src.read_text())


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
