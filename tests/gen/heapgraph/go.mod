module heapgraph

go 1.19
