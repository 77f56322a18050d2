module heapdiff

go 1.19
