import sys

from et_pipeline.cli.synth import main

sys.exit(main())
