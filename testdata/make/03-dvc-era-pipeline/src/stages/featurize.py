"""Stage: featurize."""
import argparse


def main():
    parser = argparse.ArgumentParser(description="featurize stage")
    parser.parse_known_args()


if __name__ == "__main__":
    main()
