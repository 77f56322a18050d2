module gcost

go 1.21
