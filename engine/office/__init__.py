"""The people of an office: their roles (chuyên viên, lãnh đạo, văn thư…) and the lanes of the
shipped models that name them."""
