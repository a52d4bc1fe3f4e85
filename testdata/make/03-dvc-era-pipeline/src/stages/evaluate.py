"""Stage: evaluate."""
import argparse


def main():
    parser = argparse.ArgumentParser(description="evaluate stage")
    parser.parse_known_args()


if __name__ == "__main__":
    main()
