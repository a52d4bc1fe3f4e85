# site settings, Z: drive on the old share
DATA_SHARE = Z:/actuarial/claims
PYTHON = py -3.11
