#!/usr/bin/env python
from xuanren.cli import main

if __name__ == "__main__":
    main()
