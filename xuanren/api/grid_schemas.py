"""Schemas of the score-grid imports and the XLSX downloads (issue 15,
docs/decisions/0169–0170), shared by the assessment and competition routers."""

from ninja import Schema

from xuanren.api.errors import FieldErrorOut


class GridImportOut(Schema):
    """All the cells were checked and saved through the app's score service."""

    cells: int


class GridCellErrorOut(Schema):
    sheet: str
    cell: str
    row: int
    column: int
    message: str


class GridImportErrorOut(Schema):
    """422: the grid has errors and nothing was saved; `cells` lists every one."""

    code: str
    message: str
    errors: list[FieldErrorOut]
    cells: list[GridCellErrorOut] = []
