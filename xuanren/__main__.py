from xuanren.cli import main

main()
