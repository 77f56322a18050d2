module memscope/gen/field

go 1.26
