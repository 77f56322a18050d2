module ordersvc

go 1.19
