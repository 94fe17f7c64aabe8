const root='/work/main/out';
const {runBatch}=require(root+'/src/core/run.js');
const {loadApplyFile}=require(root+'/src/core/applyModule.js');
const {runFloor}=require(root+'/bench/floor.js');
const R=Number(process.argv[2]||8);
const V={base:{},min2:{min:2},min1:{min:1}};
(async()=>{
  const {bundle,module}=await loadApplyFile('/work/main/bench/fixtures/trivial.js');
  const rows=Array.from({length:10000},(_,i)=>({'File Path':'/data/file'+i+'.edf',Domain:'x'}));
  const ours=async(v)=>{globalThis.__maxChunk=v.max;globalThis.__minChunkMs=v.min;const t0=performance.now();const out=await runBatch({rows,module,bundle,mode:'process',workers:2,resultType:'value',isPatch:true,onError:'continue',keepWorkersMs:0});if(out.counts.done!==rows.length)throw new Error('x');return performance.now()-t0;};
  const floor=async()=>(await runFloor(rows,{children:2,chunkRows:256,serialization:'advanced'})).totalMs;
  await ours(V.base); await floor();
  const keys=['floor',...Object.keys(V)]; const res=Object.fromEntries(keys.map(k=>[k,[]]));
  for(let r=0;r<R;r++){ const order=r%2?[...keys].reverse():keys;
    for(const k of order) res[k].push(k==='floor'?await floor():await ours(V[k])); }
  const med=a=>[...a].sort((x,y)=>x-y)[a.length>>1];
  for(const k of keys) console.log(k.padEnd(6), med(res[k]).toFixed(0), ' ÷floor per round med', k==='floor'?'':med(res[k].map((x,i)=>x/res.floor[i])).toFixed(3), res[k].map(x=>x.toFixed(0)).join(' '));
})();
