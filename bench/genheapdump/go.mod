module memscope/bench/genheapdump

go 1.22
