"""Stage: split."""
import argparse


def main():
    parser = argparse.ArgumentParser(description="split stage")
    parser.parse_known_args()


if __name__ == "__main__":
    main()
