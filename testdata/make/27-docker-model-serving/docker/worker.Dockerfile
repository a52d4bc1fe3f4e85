ARG BASE_IMAGE
FROM python:3.11-slim
# worker image
