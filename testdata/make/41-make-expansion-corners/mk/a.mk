TARGETS += one
one: ; echo one
