"""The sandboxed grading worker: `python -m course.worker`, started by course.grading.pools.

Process by process (outermost first):
- __main__.py    [worker]       reads requests on stdin, answers on stdout
- execute.py     [worker]       one submission through nbgrader's Execute, with limits
- forkkernel.py  [worker]       a jupyter_client kernel manager whose kernels are forked
- forkserver.py  [fork server]  a warm parent (numpy, matplotlib, ipykernel imported) that
                                forks one fresh kernel per notebook; the forked child becomes
                                the student's kernel (confined by course.sandbox.kernel)
"""
