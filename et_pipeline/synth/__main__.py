import sys

from et_pipeline.synth.cli import main

sys.exit(main())
