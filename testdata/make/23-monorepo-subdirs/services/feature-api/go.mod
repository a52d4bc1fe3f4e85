module example.com/mlp/feature-api

go 1.22
