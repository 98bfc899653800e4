from csa.cli import main

main()
