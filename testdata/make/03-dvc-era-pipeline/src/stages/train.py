"""Stage: train."""
import argparse


def main():
    parser = argparse.ArgumentParser(description="train stage")
    parser.parse_known_args()


if __name__ == "__main__":
    main()
