#!/bin/bash
echo prepare "$@"
