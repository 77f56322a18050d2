module memscope/bench/gendump

go 1.22
