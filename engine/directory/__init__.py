"""Directory of bodies (danh mục cơ quan, đơn vị): dated data with validity periods and successors."""
