"""``python -m sim.calibration data/<file>.csv``: print the calibration figures as JSON."""

from sim.calibration.figures import main

if __name__ == "__main__":
    main()
